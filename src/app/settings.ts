// Settings of the page that outlive a visit, kept in localStorage and set from the address bar so an
// instructor can hand out one link: `?registry-proxy=URL` turns on pulling Docker Hub's linux/386
// images through that CORS proxy (see proxyFromSetting for its form), `?registry-proxy=` turns it off.

const REGISTRY_PROXY_KEY = 'dockside.registry-proxy';

export interface SettingsStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

/** The registry proxy setting, or undefined when Dockside stays offline (the default). */
export function registryProxySetting(search: string, storage: SettingsStorage): string | undefined {
  const given = new URLSearchParams(search).get('registry-proxy');
  if (given !== null) {
    if (given.trim() === '') storage.removeItem(REGISTRY_PROXY_KEY);
    else storage.setItem(REGISTRY_PROXY_KEY, given.trim());
  }
  return storage.getItem(REGISTRY_PROXY_KEY) ?? undefined;
}

const SNAPSHOT_BUDGET_KEY = 'dockside.snapshot-budget-mb';
/** The choices of the rewind points' budget (MB). */
export const SNAPSHOT_BUDGETS_MB = [50, 100, 200, 500, 1000] as const;
const DEFAULT_SNAPSHOT_BUDGET_MB = 200;

/** Bytes the lesson steps' snapshots may hold beyond the current machine (settings near Reset machine). */
export function snapshotBudgetSetting(storage: SettingsStorage): number {
  const mb = Number(storage.getItem(SNAPSHOT_BUDGET_KEY));
  return (Number.isFinite(mb) && mb > 0 ? mb : DEFAULT_SNAPSHOT_BUDGET_MB) * 1024 * 1024;
}

export function setSnapshotBudget(storage: SettingsStorage, bytes: number): void {
  storage.setItem(SNAPSHOT_BUDGET_KEY, String(Math.round(bytes / (1024 * 1024))));
}
