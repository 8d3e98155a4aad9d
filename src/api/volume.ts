// moby api/types/volume (API v1.50).

/** volume.UsageData: filled by `docker system df` (-1 when not computed). */
export interface VolumeUsageData {
  RefCount: number;
  Size: number;
}

/** volume.Volume. */
export interface Volume {
  CreatedAt?: string;
  Driver: string;
  Labels: Record<string, string> | null;
  Mountpoint: string;
  Name: string;
  Options: Record<string, string> | null;
  Scope: string;
  Status?: Record<string, unknown>;
  UsageData?: VolumeUsageData | null;
}

/** volume.ListResponse: GET /volumes. */
export interface VolumeListResponse {
  Volumes: Volume[] | null;
  Warnings: string[] | null;
}

/** volume.CreateOptions: the body of POST /volumes/create. */
export interface VolumeCreateRequest {
  Name?: string;
  Driver?: string;
  DriverOpts?: Record<string, string> | null;
  Labels?: Record<string, string> | null;
}

/** volume.PruneReport. */
export interface VolumePruneReport {
  VolumesDeleted: string[] | null;
  SpaceReclaimed: number;
}
