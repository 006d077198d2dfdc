// window.lynxDesktop (exposed by the preload as envelopes) turned back into a DesktopApi whose
// failures are DesktopError objects of this world, with name, message and code.
import type { DesktopApi } from '../ipc/channels.js';
import { fromBridge, type DesktopBridge } from '../ipc/envelope.js';

declare global {
  interface Window {
    lynxDesktop?: DesktopBridge;
  }
}

export function desktopApi(): DesktopApi {
  if (!window.lynxDesktop) throw new Error('this page runs outside the Lynx On-Premise app (no preload)');
  return fromBridge(window.lynxDesktop);
}
