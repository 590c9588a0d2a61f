/** Public entry of the cometmq package. */
export * from './common';
export * from './message';
export * from './store';
