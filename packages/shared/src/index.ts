export * from './lynx-objects.js';
export * from './payload.js';
export * from './topics.js';
export * from './go-duration.js';
export * from './permissions.js';
