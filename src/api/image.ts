// moby api/types/image and registry (API v1.50): GET /images/json, /images/{name}/json, history,
// delete and search.

import type { ContainerConfig, GraphDriverData } from './container';

/** image.Summary: one item of GET /images/json. */
export interface ImageSummary {
  Id: string;
  ParentId: string;
  RepoTags: string[] | null;
  RepoDigests: string[] | null;
  /** Unix seconds. */
  Created: number;
  Size: number;
  /** -1 when not computed. */
  SharedSize: number;
  Labels: Record<string, string> | null;
  /** -1 when not computed. */
  Containers: number;
}

/** image.RootFS. */
export interface ImageRootFs {
  Type: string;
  Layers?: string[];
}

/** image.InspectResponse: GET /images/{name}/json. */
export interface ImageInspect {
  Id: string;
  RepoTags: string[];
  RepoDigests: string[];
  Parent: string;
  Comment: string;
  Created: string;
  DockerVersion: string;
  Author: string;
  Config: ContainerConfig | null;
  Architecture: string;
  Variant?: string;
  Os: string;
  Size: number;
  GraphDriver: GraphDriverData;
  RootFS: ImageRootFs;
  Metadata: { LastTagTime: string };
}

/** image.HistoryResponseItem: one row of GET /images/{name}/history. */
export interface HistoryItem {
  Id: string;
  /** Unix seconds. */
  Created: number;
  CreatedBy: string;
  Tags: string[] | null;
  Size: number;
  Comment: string;
}

/** image.DeleteResponse: one entry of DELETE /images/{name}. */
export interface ImageDeleteItem {
  Untagged?: string;
  Deleted?: string;
}

/** registry.SearchResult: one item of GET /images/search. */
export interface SearchResult {
  name: string;
  description: string;
  star_count: number;
  is_official: boolean;
  is_automated: boolean;
}

/** image.PruneReport. */
export interface ImagePruneReport {
  ImagesDeleted: ImageDeleteItem[] | null;
  SpaceReclaimed: number;
}

/** build.CachePruneReport. */
export interface BuildCachePruneReport {
  CachesDeleted: string[] | null;
  SpaceReclaimed: number;
}

/** registry.AuthenticateOKBody: POST /auth. */
export interface AuthResponse {
  Status: string;
  IdentityToken?: string;
}
