// One server for the whole run; its addresses reach the test workers through the environment.
import { startE2eServer } from './support/server.js';

export default async function globalSetup() {
  const server = await startE2eServer();
  process.env.LYNX_E2E_URL = server.httpUrl;
  process.env.LYNX_E2E_MQTT = server.mqttUrl;
  process.env.LYNX_E2E_ADMIN_EMAIL = server.adminEmail;
  process.env.LYNX_E2E_ADMIN_PASSWORD = server.adminPassword;
  // Returned functions run as the global teardown.
  return async () => server.stop();
}
