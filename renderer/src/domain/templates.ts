import type { Template, TemplateComponent } from '@parley/protocol';

/** One {{n}} a template asks for, in the order the send's `parameters` list takes them. */
export type TemplateParameter = { component: TemplateComponent['type']; index: number };

export function isApproved(template: Pick<Template, 'status'>): boolean {
  return template.status.toUpperCase() === 'APPROVED';
}

/** The parameters across the template's components: header first, then body, as Meta numbers them. */
export function templateParameters(template: Pick<Template, 'components'>): TemplateParameter[] {
  const parameters: TemplateParameter[] = [];
  for (const component of template.components) {
    for (let index = 1; index <= component.parameterCount; index += 1) {
      parameters.push({ component: component.type, index });
    }
  }
  return parameters;
}

/** Replaces each {{n}} with its value; an empty or missing value leaves the placeholder visible. */
export function fillPlaceholders(text: string, values: readonly string[]): string {
  return text.replace(/\{\{\s*(\d+)\s*\}\}/g, (placeholder, digits: string) => {
    const value = values[Number(digits) - 1];
    return value === undefined || value.trim() === '' ? placeholder : value;
  });
}

export type FilledTemplate = {
  header: string | null;
  body: string | null;
  footer: string | null;
  buttons: string[];
};

/** The template as the customer will read it, with `parameters` in the order of `templateParameters`. */
export function fillTemplate(template: Pick<Template, 'components'>, parameters: readonly string[]): FilledTemplate {
  const filled: FilledTemplate = { header: null, body: null, footer: null, buttons: [] };
  let offset = 0;
  for (const component of template.components) {
    const values = parameters.slice(offset, offset + component.parameterCount);
    offset += component.parameterCount;
    const text = component.text === null ? null : fillPlaceholders(component.text, values);
    switch (component.type) {
      case 'HEADER':
        // A media header has no text to show here.
        filled.header = text;
        break;
      case 'BODY':
        filled.body = text;
        break;
      case 'FOOTER':
        filled.footer = text;
        break;
      case 'BUTTONS':
        filled.buttons.push(...component.buttons.map((button) => button.text));
        break;
    }
  }
  return filled;
}

/** The filled template as one text, for a sent template's bubble. */
export function filledTemplateText(template: Pick<Template, 'components'>, parameters: readonly string[]): string {
  const filled = fillTemplate(template, parameters);
  return [filled.header, filled.body, filled.footer].filter((part): part is string => part !== null).join('\n\n');
}

export function allParametersFilled(template: Pick<Template, 'components'>, parameters: readonly string[]): boolean {
  return templateParameters(template).every((_, index) => (parameters[index] ?? '').trim() !== '');
}
