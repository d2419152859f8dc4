import DownloadIcon from '@mui/icons-material/Download';
import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Typography from '@mui/material/Typography';
import { BarChart } from '@mui/x-charts/BarChart';
import { LineChart } from '@mui/x-charts/LineChart';
import { useEffect, useMemo, useState, type JSX } from 'react';
import { failureText } from '../../common/i18n/failures.js';
import { useT } from '../../common/i18n/index.js';
import { channelColor } from '../../common/theme.js';
import { ApiError, dailyMetricsCsvUrl, downloadDailyMetricsCsv, fetchDailyMetrics } from '../../platform/api.js';
import type { ServerAccess } from '../../platform/http.js';
import { dailySeries, lastDays, type DayPoint } from './metrics.js';

const DAYS = 14;

type Loaded = { kind: 'loading' } | { kind: 'ready'; points: DayPoint[] } | { kind: 'failed'; error: ApiError };

/** The last 14 days from the server's metrics: conversations per day by channel, and the median first response. */
export function MetricsPanel({ access, teamId }: { access: ServerAccess; teamId: string | undefined }): JSX.Element {
  const { t, lang } = useT();
  const [loaded, setLoaded] = useState<Loaded>({ kind: 'loading' });
  const days = useMemo(() => lastDays(new Date(), DAYS), []);
  const range = useMemo(
    () => ({ from: days[0] ?? '', to: days.at(-1) ?? '', ...(teamId === undefined ? {} : { teamId }) }),
    [days, teamId],
  );

  useEffect(() => {
    let live = true;
    fetchDailyMetrics(access, range).then(
      (rows) => {
        if (live) setLoaded({ kind: 'ready', points: dailySeries(rows, days) });
      },
      (error: unknown) => {
        if (live) setLoaded({ kind: 'failed', error: error instanceof ApiError ? error : new ApiError('internal') });
      },
    );
    return () => {
      live = false;
    };
  }, [access, range, days]);

  const points = loaded.kind === 'ready' ? loaded.points : [];
  const minutes = useMemo(() => new Intl.NumberFormat(lang, { maximumFractionDigits: 1 }), [lang]);
  // At least a minute high, so that a day of quick answers (or none) still gets readable ticks.
  const minutesMax = Math.max(1, ...points.map((point) => point.firstResponseMinutes ?? 0));
  const dayLabels = points.map((point) =>
    new Intl.DateTimeFormat(lang, { day: 'numeric', month: 'short' }).format(new Date(`${point.date}T12:00:00`)),
  );

  return (
    <Box data-testid="metrics-panel" sx={{ p: 2 }}>
      <Box sx={{ display: 'flex', alignItems: 'center', gap: 1, mb: 1 }}>
        <Typography variant="overline" color="text.secondary" sx={{ flex: 1 }}>
          {t('supervisor.metrics')}
        </Typography>
        <Button
          size="small"
          startIcon={<DownloadIcon />}
          href={dailyMetricsCsvUrl(access.serverUrl, range)}
          download={`parley-metrics-${range.from}-${range.to}.csv`}
          data-testid="metrics-csv"
          onClick={(event) => {
            // The desktop app proves who it is with a token a plain link cannot carry: fetch it.
            event.preventDefault();
            void downloadDailyMetricsCsv(access, range).then(
              (blob) => {
                const url = URL.createObjectURL(blob);
                const link = document.createElement('a');
                link.href = url;
                link.download = `parley-metrics-${range.from}-${range.to}.csv`;
                link.click();
                setTimeout(() => URL.revokeObjectURL(url), 10_000);
              },
              (error: unknown) =>
                setLoaded({ kind: 'failed', error: error instanceof ApiError ? error : new ApiError('internal') }),
            );
          }}
          sx={{ textTransform: 'none' }}
        >
          {t('supervisor.downloadCsv')}
        </Button>
      </Box>
      {loaded.kind === 'failed' ? (
        <Alert severity="warning" data-testid="metrics-error">
          {t('supervisor.metricsFailed', { reason: failureText(loaded.error, lang) })}
        </Alert>
      ) : (
        <Box sx={{ display: 'grid', gridTemplateColumns: { xs: '1fr', lg: '3fr 2fr' }, gap: 2 }}>
          <Box>
            <Typography variant="subtitle2">{t('supervisor.conversationsPerDay')}</Typography>
            <BarChart
              height={200}
              loading={loaded.kind === 'loading'}
              xAxis={[{ scaleType: 'band', data: dayLabels }]}
              // Conversations are counted whole.
              yAxis={[{ min: 0, tickMinStep: 1 }]}
              series={(['whatsapp', 'messenger', 'instagram'] as const).map((channel) => ({
                data: points.map((point) => point[channel]),
                label: t(`channel.${channel}`),
                stack: 'channels',
                color: channelColor[channel],
              }))}
              margin={{ left: 0, right: 8, top: 8, bottom: 0 }}
            />
          </Box>
          <Box>
            <Typography variant="subtitle2">{t('supervisor.medianFirstResponse')}</Typography>
            <LineChart
              height={200}
              loading={loaded.kind === 'loading'}
              xAxis={[{ scaleType: 'point', data: dayLabels }]}
              series={[
                {
                  data: points.map((point) => point.firstResponseMinutes),
                  label: t('supervisor.minutes'),
                  connectNulls: true,
                  showMark: true,
                  curve: 'linear',
                },
              ]}
              yAxis={[{ min: 0, max: minutesMax, valueFormatter: (value: number) => minutes.format(value) }]}
              hideLegend
              margin={{ left: 0, right: 8, top: 8, bottom: 0 }}
            />
          </Box>
        </Box>
      )}
    </Box>
  );
}
