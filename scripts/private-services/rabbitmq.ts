import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import path from 'node:path';
import amqp from 'amqplib';
import { freePort, killGroup, killGroupSync, onExitCleanup, run, spawnDaemon, until } from './process';

const SBIN = existsSync('/usr/lib/rabbitmq/bin') ? '/usr/lib/rabbitmq/bin' : '';
const bin = (name: string) => (SBIN ? path.join(SBIN, name) : name);

/**
 * What the nodes of one private installation share: a temp directory, an Erlang cookie (in `HOME`)
 * and a private epmd port, so neither the machine's RabbitMQ nor its epmd is ever involved.
 */
class RabbitHome {
  /** Every VM started under this home, for the last-resort teardown. */
  readonly vms = new Set<ChildProcess>();
  private epmd?: ChildProcess;
  private readonly forget: () => void;
  private constructor(
    readonly dir: string,
    readonly epmdPort: number,
  ) {
    this.forget = onExitCleanup(() => {
      for (const vm of this.vms) killGroupSync(vm);
      killGroupSync(this.epmd);
      rmSync(this.dir, { recursive: true, force: true });
    });
  }

  static async create(): Promise<RabbitHome> {
    const dir = mkdtempSync(path.join(tmpdir(), 'onsale-rabbit-'));
    const cookie = path.join(dir, '.erlang.cookie');
    writeFileSync(cookie, randomBytes(20).toString('hex').toUpperCase());
    chmodSync(cookie, 0o400);
    const home = new RabbitHome(dir, await freePort());
    home.epmd = spawnDaemon('epmd', ['-port', String(home.epmdPort)], home.env(), path.join(dir, 'epmd.log'));
    await until(async () => (await import('./process')).portOpen(home.epmdPort), 20_000, 'private epmd');
    return home;
  }

  env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
    const { ERL_FLAGS: _f, RABBITMQ_NODENAME: _n, ...rest } = process.env;
    // ERL_CRASH_DUMP: a CLI call that cannot reach its node would otherwise drop erl_crash.dump in the cwd.
    return {
      ...rest,
      HOME: this.dir,
      ERL_EPMD_PORT: String(this.epmdPort),
      ERL_EPMD_ADDRESS: '127.0.0.1',
      ERL_CRASH_DUMP: path.join(this.dir, 'erl_crash.dump'),
      ...extra,
    };
  }

  async destroy(): Promise<void> {
    this.forget();
    await killGroup(this.epmd, 'SIGKILL');
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/**
 * One RabbitMQ node with its own node name, AMQP port, distribution port and mnesia/log directories
 * (no plugins). Faults: `stop()` (graceful, `rabbitmqctl stop`), `crash()` (`kill -9` of the VM), and
 * `start()` again on the same data.
 */
export class PrivateRabbitNode {
  readonly dir: string;
  private child?: ChildProcess;
  constructor(
    readonly home: RabbitHome,
    readonly name: string,
    readonly port: number,
    readonly distPort: number,
  ) {
    this.dir = path.join(home.dir, name);
  }

  /** `rabbit-…@localhost` */
  get nodename(): string {
    return `${this.name}@localhost`;
  }

  get url(): string {
    return `amqp://guest:guest@127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return !!this.child && this.child.exitCode === null && this.child.signalCode === null;
  }

  static async create(home: RabbitHome, name: string): Promise<PrivateRabbitNode> {
    const node = new PrivateRabbitNode(home, name, await freePort(), await freePort());
    mkdirSync(node.dir, { recursive: true });
    writeFileSync(path.join(node.dir, 'enabled_plugins'), '[].\n');
    writeFileSync(path.join(node.dir, 'rabbitmq-env.conf'), '');
    writeFileSync(
      path.join(node.dir, 'rabbitmq.conf'),
      [
        `listeners.tcp.default = 127.0.0.1:${node.port}`,
        'loopback_users = none',
        'log.console = false',
        'log.file.level = warning',
        // Small machines: do not refuse publishes because a shared disk looks full.
        'disk_free_limit.absolute = 50MB',
        '',
      ].join('\n'),
    );
    return node;
  }

  /** `rabbitmqctl` (or another CLI) against this node. */
  ctl(args: string[], tool = 'rabbitmqctl', timeoutMs = 120_000): Promise<string> {
    return run(bin(tool), ['-n', this.nodename, ...args], this.env(), timeoutMs);
  }

  /** Starts the node and waits until it accepts AMQP sessions. */
  async start(): Promise<void> {
    mkdirSync(path.join(this.dir, 'log'), { recursive: true });
    this.child = spawnDaemon(bin('rabbitmq-server'), [], this.env(), path.join(this.dir, 'server.out'));
    this.home.vms.add(this.child);
    const child = this.child;
    // The node registers with epmd a moment after the VM starts; only then does await_startup answer.
    await until(
      async () => {
        if (child.exitCode !== null)
          throw new Error(`${this.nodename} exited with ${child.exitCode}; see ${path.join(this.dir, 'server.out')}`);
        await this.ctl(['await_startup', '--timeout', '60'], 'rabbitmqctl', 70_000);
        return true;
      },
      180_000,
      `${this.nodename} to start (log: ${path.join(this.dir, 'log')})`,
    );
    await until(() => this.ready(), 60_000, `${this.nodename} AMQP on ${this.port}`);
  }

  async ready(): Promise<boolean> {
    try {
      const c = await amqp.connect(this.url);
      await c.close();
      return true;
    } catch {
      return false;
    }
  }

  /** Graceful: `rabbitmqctl stop` (clients get connection.close 320, queues are stopped cleanly). */
  async stop(): Promise<void> {
    await this.ctl(['stop'], 'rabbitmqctl', 120_000).catch(() => undefined);
    await killGroup(this.child, 'SIGTERM', 30_000);
  }

  /** `kill -9` of the Erlang VM and everything it forked. */
  async crash(): Promise<void> {
    await killGroup(this.child, 'SIGKILL');
  }

  async destroy(): Promise<void> {
    await killGroup(this.child, 'SIGKILL');
  }

  private env(): NodeJS.ProcessEnv {
    return this.home.env({
      RABBITMQ_NODENAME: this.nodename,
      RABBITMQ_NODE_IP_ADDRESS: '127.0.0.1',
      RABBITMQ_NODE_PORT: String(this.port),
      RABBITMQ_DIST_PORT: String(this.distPort),
      RABBITMQ_CONF_ENV_FILE: path.join(this.dir, 'rabbitmq-env.conf'),
      RABBITMQ_CONFIG_FILE: path.join(this.dir, 'rabbitmq.conf'),
      RABBITMQ_ADVANCED_CONFIG_FILE: path.join(this.dir, 'advanced.config'),
      RABBITMQ_ENABLED_PLUGINS_FILE: path.join(this.dir, 'enabled_plugins'),
      RABBITMQ_MNESIA_BASE: path.join(this.dir, 'mnesia'),
      RABBITMQ_LOG_BASE: path.join(this.dir, 'log'),
      RABBITMQ_PID_FILE: path.join(this.dir, 'rabbit.pid'),
      RABBITMQ_SERVER_ERL_ARGS: `-kernel inet_dist_use_interface {127,0,0,1}`,
    });
  }
}

/** A single private RabbitMQ node. */
export class PrivateRabbit {
  private constructor(
    readonly home: RabbitHome,
    readonly node: PrivateRabbitNode,
  ) {}

  get url(): string {
    return this.node.url;
  }

  static async create(): Promise<PrivateRabbit> {
    const home = await RabbitHome.create();
    try {
      const node = await PrivateRabbitNode.create(home, `onsale-f-${randomBytes(3).toString('hex')}`);
      const r = new PrivateRabbit(home, node);
      await node.start();
      return r;
    } catch (err) {
      await home.destroy();
      throw err;
    }
  }

  stop = () => this.node.stop();
  crash = () => this.node.crash();
  start = () => this.node.start();

  async destroy(): Promise<void> {
    await this.node.destroy();
    await this.home.destroy();
  }
}

/**
 * Three (or `size`) RabbitMQ nodes on this machine joined into one cluster (`join_cluster`). Quorum
 * queues declared once the cluster is formed get a replica on every node.
 */
export class PrivateRabbitCluster {
  private constructor(
    readonly home: RabbitHome,
    readonly nodes: PrivateRabbitNode[],
  ) {}

  static async create(size = 3): Promise<PrivateRabbitCluster> {
    const home = await RabbitHome.create();
    const tag = randomBytes(3).toString('hex');
    const nodes: PrivateRabbitNode[] = [];
    const cluster = new PrivateRabbitCluster(home, nodes);
    try {
      for (let i = 1; i <= size; i++) nodes.push(await PrivateRabbitNode.create(home, `onsale-c${i}-${tag}`));
      // Boot one after the other: two cores do not start three Erlang VMs at once quickly.
      for (const n of nodes) await n.start();
      const [first, ...rest] = nodes as [PrivateRabbitNode, ...PrivateRabbitNode[]];
      for (const n of rest) {
        await n.ctl(['stop_app']);
        await n.ctl(['join_cluster', first.nodename]);
        await n.ctl(['start_app']);
      }
      await until(
        async () => (await cluster.runningNodes()).length === size,
        60_000,
        'every node running in the cluster',
      );
      return cluster;
    } catch (err) {
      await cluster.destroy();
      throw err;
    }
  }

  /** Node names the cluster reports as running (asked of any live node). */
  async runningNodes(): Promise<string[]> {
    for (const n of this.nodes) {
      if (!n.running) continue;
      try {
        const out = await n.ctl(['-q', 'cluster_status', '--formatter', 'json'], 'rabbitmqctl', 30_000);
        return (JSON.parse(out) as { running_nodes: string[] }).running_nodes;
      } catch {
        /* try the next */
      }
    }
    return [];
  }

  /** The node that leads quorum queue `queue` (vhost `/`), asked of a live node. */
  async leaderOf(queue: string): Promise<PrivateRabbitNode | undefined> {
    const row = await this.queueInfo(queue);
    return this.nodes.find((x) => x.nodename === row?.leader);
  }

  /** Leader and replicas (`members`) of quorum queue `queue`. */
  async queueInfo(queue: string): Promise<{ name: string; leader: string; members: string[] } | undefined> {
    for (const n of this.nodes) {
      if (!n.running) continue;
      try {
        const out = await n.ctl(
          ['-q', 'list_queues', '--formatter', 'json', 'name', 'leader', 'members'],
          'rabbitmqctl',
          30_000,
        );
        return (JSON.parse(out) as Array<{ name: string; leader: string; members: string[] }>).find(
          (q) => q.name === queue,
        );
      } catch {
        /* try the next */
      }
    }
    return undefined;
  }

  async destroy(): Promise<void> {
    for (const n of this.nodes) await n.destroy();
    await this.home.destroy();
  }
}
