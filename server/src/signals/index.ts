export { type SignalFigures, SignalService } from './service.ts';
