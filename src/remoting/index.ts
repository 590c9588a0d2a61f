export { DEFAULT_MAX_IN_FLIGHT } from './request-handler';
export type {
  RemotingConnection,
  HandlerContext,
  RequestHandler,
  HandlerOptions,
  HandlerRegistry,
} from './request-handler';
export { FrameDecoder, MAX_FRAME_BYTES } from './frame-decoder';
export type { FrameSink } from './frame-decoder';
export { decodeCommand, encodeCommand, encodeCommandPrefix, jsonHeaderText } from './command-codec';
export { Connection, OpaqueCounter, formatPeerAddress } from './connection';
export type { RequestListener, ConnectionOptions, ResponseWaiter } from './connection';
export { RequestDispatcher } from './request-dispatcher';
export { LaterAnswer } from './later-answer';
export type { LaterAnswerTaker } from './later-answer';
export { RemotingServer } from './remoting-server';
export type { RemotingServerOptions } from './remoting-server';
export { RemotingClient, parseAddress } from './remoting-client';
export type { RemotingClientOptions } from './remoting-client';
