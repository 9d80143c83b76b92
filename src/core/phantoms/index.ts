export * from './chest-ct.js';
