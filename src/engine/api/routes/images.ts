// Image endpoints (/images/...): registered by the image service (issue 4).

import type { Daemon } from '../../daemon';
import type { Router } from '../router';

export function registerImageRoutes(router: Router, daemon: Daemon): void {
  void router;
  void daemon;
}
