// Deployment: a compiled model saved as an artifact (FheModelDev), the key owner's side
// (FheModelClient) and the computing side (FheModelServer, and `cipherquant serve` over HTTP).

export { FheModelClient, CLIENT_KEY_FILE } from './client';
export type { ClientOptions } from './client';
export { DEPLOY_FORMAT_VERSION, readDeployHeader } from './container';
export type { DeployHeader, DeployKind } from './container';
export { FheModelDev } from './dev';
export { DeployFormatError } from './errors';
export type { DeployErrorCode } from './errors';
export { DEPLOY_FILES } from './files';
export { FheModelServer } from './server';
export type { ServerLimits } from './server';
export type { ClientSpecs, ServerSpecs, TensorInterface } from './specs';
