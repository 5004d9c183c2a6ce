// File names of a saved artifact (the directory FheModelDev writes).
export const DEPLOY_FILES = { client: 'client.cqdeploy', server: 'server.cqdeploy' } as const;
