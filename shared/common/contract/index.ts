/** The console's IPC contract: interface, registry, schemas, result envelope. */
export type * from './bridge.ts';
export * from './result.ts';
export * from './limits.ts';
export * from './channels.ts';
export * from './inputs.ts';
export * from './arguments.ts';
export * from './browser-transport.ts';
