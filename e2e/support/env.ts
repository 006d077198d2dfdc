// The running server, as global-setup.ts announced it.
function need(name: string): string {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set: run the suite through playwright.config.ts (its global setup starts the server)`);
  return v;
}

export const e2e = {
  get url() {
    return need('LYNX_E2E_URL');
  },
  get mqttUrl() {
    return need('LYNX_E2E_MQTT');
  },
  get adminEmail() {
    return need('LYNX_E2E_ADMIN_EMAIL');
  },
  get adminPassword() {
    return need('LYNX_E2E_ADMIN_PASSWORD');
  },
};
