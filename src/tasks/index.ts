export * from './radiomics/index.js';
