/**
 * The preload (sandboxed, bundled as CommonJS): builds one frozen bridge object from
 * the contract's channel registry and exposes it once as `window.bridge`. The page
 * gets exactly the contract's methods — no raw ipcRenderer, no generic invoke, no way
 * to name a channel of its own.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { buildBridge } from '../../shared/common/contract/channels.ts';

const bridge = buildBridge({
  invoke: (channel, args) => ipcRenderer.invoke(channel, args),
  subscribe: (channel, listener) => {
    // The Electron event object stays here: the page sees only the payload.
    const forward = (_event: IpcRendererEvent, payload: unknown): void => listener(payload);
    ipcRenderer.on(channel, forward);
    return () => {
      ipcRenderer.removeListener(channel, forward);
    };
  },
});

contextBridge.exposeInMainWorld('bridge', bridge);
