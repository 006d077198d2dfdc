// Entry of the local pages: #wizard, #status or #settings (the main process picks the first one).
import { z } from 'zod';
import { message } from './dom.js';
import { desktopApi } from './desktop.js';
import { renderSettings } from './settings-page.js';
import { renderStatus } from './status-page.js';
import { renderWizard } from './wizard.js';

// zod compiles validators with new Function() unless told not to; the page's CSP forbids eval.
z.config({ jitless: true });

const desktop = desktopApi();
const root = document.getElementById('app') as HTMLElement;
let leave: (() => void) | void;

async function route(): Promise<void> {
  leave?.();
  leave = undefined;
  const page = location.hash.slice(1);
  try {
    if (page === 'wizard') await renderWizard(root, desktop);
    else if (page === 'settings') await renderSettings(root, desktop);
    else leave = await renderStatus(root, desktop);
  } catch (err) {
    root.textContent = `Could not show this page: ${message(err)}`;
  }
}

window.addEventListener('hashchange', () => void route());
void route();
