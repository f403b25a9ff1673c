# The image the generated docker-compose.yml runs (DISINTO_IMAGE, default disinto:latest):
# the compiled binary as the entrypoint of every agent and chat container.
#
#   npm ci && deno task build        # dist/disinto and node_modules' claude binary
#   docker build -t disinto:latest .
#
# The agents run the Claude Code CLI (`claude`); its native binary comes from the
# pinned @anthropic-ai/claude-code dev dependency, so the image needs no Node.js.
FROM debian:bookworm-slim

# git and ssh: the agents clone, push and mirror; ca-certificates: HTTPS forges and APIs.
RUN apt-get update \
  && apt-get install -y --no-install-recommends git openssh-client ca-certificates \
  && rm -rf /var/lib/apt/lists/*

COPY dist/disinto /usr/local/bin/disinto
COPY node_modules/@anthropic-ai/claude-code/bin/claude.exe /usr/local/bin/claude

# An unprivileged user: agents run model-written code; they never need root.
RUN useradd --create-home --home-dir /home/agent --uid 1000 --user-group agent \
  && mkdir -p /factory /home/agent/data /home/agent/repos \
  && chown agent:agent /factory /home/agent/data /home/agent/repos
USER agent
WORKDIR /home/agent
ENV HOME=/home/agent DISINTO_ROOT=/factory

ENTRYPOINT ["/usr/local/bin/disinto"]
CMD ["agents", "run"]
