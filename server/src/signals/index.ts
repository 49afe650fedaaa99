export {
  MAX_STORED_SPANS,
  type SignalFigures,
  SignalService,
  SPAN_PUSH_INTERVAL_MS,
} from './service.ts';
