/**
 * The router on Electron's IPC: one `ipcMain.handle` per contract channel, and pushes
 * forwarded to the window. Trust boundary: the sender frame must be the top frame of
 * our window, on our origin; the router then validates the arguments.
 */
import { ipcMain, type BrowserWindow, type IpcMainInvokeEvent } from 'electron';
import type { IpcRouter } from '../core/ipc/router.ts';

export function wireIpc(router: IpcRouter, getWindow: () => BrowserWindow | null): () => void {
  const channels = router.invokeChannels();
  for (const channel of channels) {
    ipcMain.handle(channel, (event: IpcMainInvokeEvent, args: unknown) => {
      const window = getWindow();
      const frame = event.senderFrame;
      const fromOurTopFrame =
        window !== null && event.sender === window.webContents && frame !== null && frame.parent === null;
      // An iframe or another window gets an empty URL, which no policy trusts.
      return router.handle(channel, args, { transport: 'electron', url: fromOurTopFrame ? frame.url : '' });
    });
  }
  const unsubscribe = router.subscribe((channel, payload) => {
    const window = getWindow();
    if (window && !window.isDestroyed()) window.webContents.send(channel, payload);
  });
  return () => {
    unsubscribe();
    for (const channel of channels) ipcMain.removeHandler(channel);
  };
}
