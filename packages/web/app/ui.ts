/** Small page helpers shared by the tabs: elements, errors, file reading, downloads. */

export function $(id: string): HTMLElement {
  const el = document.getElementById(id);
  if (!el) throw new Error(`the page has no #${id}`);
  return el;
}

export function input(id: string): HTMLInputElement {
  return $(id) as HTMLInputElement;
}

/** Shows `message` in the tab's error box (the same text the CLI prints), or hides the box with null. */
export function showError(tab: string, message: string | null): void {
  const box = $(`${tab}-error`);
  box.textContent = message ?? '';
  box.hidden = message === null;
}

export function status(tab: string, text: string): void {
  $(`${tab}-status`).textContent = text;
}

/** Calls `onFile` for a file chosen in `#<inputId>` or dropped on its drop zone. */
export function onFile(inputId: string, onFile: (file: File) => void): void {
  const el = input(inputId);
  el.addEventListener('change', () => {
    if (el.files?.[0]) onFile(el.files[0]);
  });
  const zone = document.querySelector(`.drop[data-input="${inputId}"]`) as HTMLElement;
  zone.addEventListener('dragover', (e) => {
    e.preventDefault();
    zone.classList.add('over');
  });
  zone.addEventListener('dragleave', () => zone.classList.remove('over'));
  zone.addEventListener('drop', (e) => {
    e.preventDefault();
    zone.classList.remove('over');
    const file = e.dataTransfer?.files[0];
    if (file) onFile(file);
  });
}

/** Points the download link `#id` at `bytes`, named `name`. */
export function setDownload(id: string, bytes: Uint8Array | string, name: string, type: string): void {
  const a = $(id) as HTMLAnchorElement;
  if (a.href.startsWith('blob:')) URL.revokeObjectURL(a.href);
  a.href = URL.createObjectURL(new Blob([bytes as BlobPart], { type }));
  a.download = name;
}

/** The message of anything thrown (gatewave errors carry the CLI's text). */
export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Lets the page repaint before a long synchronous computation. */
export function nextFrame(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}
