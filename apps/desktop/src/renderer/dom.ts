// A few DOM helpers: elements are built with textContent only (never innerHTML), so server output
// such as log lines cannot inject markup.

type Attributes = Record<string, string | boolean | undefined>;
type Child = Node | string | null | undefined | false;

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attributes: Attributes = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === true) element.setAttribute(name, '');
    else if (typeof value === 'string') element.setAttribute(name, value);
  }
  for (const child of children) {
    if (child) element.append(child);
  }
  return element;
}

export function field(label: string, input: HTMLElement, hint?: string): HTMLElement {
  const name = input.getAttribute('name') ?? '';
  return h('label', { class: 'field', 'data-field': name }, h('span', { class: 'label' }, label), input, hint ? h('small', { class: 'hint' }, hint) : null, h('small', { class: 'error', 'data-error-for': name }));
}

export function showErrors(form: HTMLElement, errors: Record<string, string | undefined>): void {
  for (const slot of Array.from(form.querySelectorAll<HTMLElement>('[data-error-for]'))) {
    slot.textContent = errors[slot.dataset.errorFor ?? ''] ?? '';
  }
  const general = form.querySelector<HTMLElement>('[data-error-for="form"]');
  if (general) general.textContent = errors.form ?? '';
}

export function inputValue(form: HTMLFormElement, name: string): string {
  const element = form.elements.namedItem(name);
  return element instanceof HTMLInputElement || element instanceof HTMLSelectElement ? element.value : '';
}

export function checked(form: HTMLFormElement, name: string): boolean {
  const element = form.elements.namedItem(name);
  return element instanceof HTMLInputElement && element.checked;
}

export function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
