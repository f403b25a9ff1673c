/**
 * Building blocks shared by every plugin that contributes a service running
 * the disinto binary (agents, local-model agents, chat): one image, one
 * entrypoint, and the factory files every such container sees.
 */
import type { ComposeValue } from "./model.ts";
import { runtime } from "./value.ts";

/** The image holding the binary: `${DISINTO_IMAGE:-disinto:latest}`, chosen at runtime. */
export const DISINTO_IMAGE: ComposeValue = runtime("DISINTO_IMAGE", "disinto:latest");

/** The binary inside the image. */
export const DISINTO_ENTRYPOINT: ComposeValue[] = ["/usr/local/bin/disinto"];

/** The forge as seen from inside the compose network. */
export const FORGE_URL_IN_NETWORK = "http://forgejo:3000";

/** The factory root inside the containers. */
export const FACTORY_ROOT_IN_CONTAINER = "/factory";

/** The project files (read only) and state directory of the factory, relative to the compose file. */
export const FACTORY_VOLUMES: ComposeValue[] = [
  `./projects:${FACTORY_ROOT_IN_CONTAINER}/projects:ro`,
  `./state:${FACTORY_ROOT_IN_CONTAINER}/state`,
];

/** Home of the unprivileged user in the disinto image. */
export const AGENT_HOME = "/home/agent";
