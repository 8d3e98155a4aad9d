// Container and exec endpoints (/containers/..., /exec/...): registered by the container service (issue 5).

import type { Daemon } from '../../daemon';
import type { Router } from '../router';

export function registerContainerRoutes(router: Router, daemon: Daemon): void {
  void router;
  void daemon;
}
