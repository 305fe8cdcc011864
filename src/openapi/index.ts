export {
  type BuildOpenApiOptions,
  buildOpenApiSpec,
  type OpenApiDocument,
  type OpenApiServer,
} from './build.js';
export {
  OPENAPI_DOCS_PATH,
  OPENAPI_SPEC_PATH,
  type OpenApiOptions,
  registerOpenApi,
} from './register.js';
export { documentResponses, ERROR_SCHEMA_NAME } from './responses.js';
