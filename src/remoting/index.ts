export { DEFAULT_MAX_IN_FLIGHT } from './request-handler';
export type {
  RemotingConnection,
  HandlerContext,
  RequestHandler,
  HandlerOptions,
  HandlerRegistry,
} from './request-handler';
