// The docker engine version Dockside is (moby v28.2.2): the API's headers and /version, and the
// DockerVersion of the images it makes (commit, import, build).
export const ENGINE_VERSION = '28.2.2';
