/** C13/C14: the portal and HTTP API. */
export { buildApp, SESSION_COOKIE, HttpProblem, EVERYONE, STAFF, ANALYSTS_AND_PARTNERS, SIGNED_IN } from './app.ts';
export type { AppOptions, ServerSettings } from './app.ts';
export { defaultServices } from './services.ts';
export type { Services, ServiceOverrides } from './services.ts';
export { addUser, listUsers, setUserDisabled, createApiToken, auditLog, ROLES } from './users.ts';
export type { Role, User, Viewer, ViewerRole } from './users.ts';
export { parseTrustProxy, DEFAULT_LOGIN_LIMITS } from './login-guard.ts';
