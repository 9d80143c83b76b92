export * from './brain-tissue/index.js';
export * from './radiomics/index.js';
