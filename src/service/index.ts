export {
  createService,
  type LifecycleHook,
  type Service,
  type ServiceOptions,
} from './create.js';
export {
  type Envelope,
  type ErrorEnvelope,
  ErrorEnvelopeSchema,
  type SuccessEnvelope,
  successEnvelopeSchema,
} from './envelope.js';
export type { ErrorReport, ErrorReportRequest, ErrorSubscriber } from './error-report.js';
export {
  type AnyRoute,
  type GroupOptions,
  group,
  type HttpMethod,
  type ResolvedRoute,
  type Route,
  type RouteEntry,
  type RouteGroup,
  type RouteRequest,
  type RouteSpec,
  type RoutesOf,
  route,
} from './route.js';
export {
  type RunningService,
  type RunOptions,
  type RunProcess,
  runService,
  type ServiceSource,
} from './run.js';
