export {
  dailyMetrics,
  namesFor,
  rangeOf,
  MAX_METRICS_DAYS,
  METRICS_DIMENSIONS,
  type DailyQuery,
  type MetricsDimension,
  type MetricsRow,
  type RangeProblem,
} from './daily.js';
export { agentsToday, mayReadTeam, type AgentToday } from './today.js';
export { isTimeZone, median, medianSeconds } from './dates.js';
export { csvField, spreadsheetText, toCsv, type CsvValue } from './csv.js';
