export * from './brain-tissue/index.js';
