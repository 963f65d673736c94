import type { DeliverFn } from '../runtime/delivery-types.js';
import type { RegisteredRenderer } from './electron-port.js';
import type { ServiceReporter } from './service-reporter.js';

/** The renderers attachToWindow registered: how `send` reaches them and how incidents name them. */
export class RendererRegistry {
  private readonly renderers = new Map<number, RegisteredRenderer>();

  constructor(private readonly reporter: ServiceReporter) {}

  /** Makes a renderer reachable; an earlier registration of the same id is detached. Returns an unregister. */
  register(id: number, renderer: RegisteredRenderer): () => void {
    const previous = this.renderers.get(id);
    if (previous && previous !== renderer) {
      this.reporter.log('warn', 'renderer attached again: the earlier attachment is detached', { webContentsId: id });
      this.reporter.guard('electron:reattach', () => previous.detach?.());
    }
    this.renderers.set(id, renderer);
    return () => {
      if (this.renderers.get(id) === renderer) this.renderers.delete(id);
    };
  }

  has(id: number): boolean {
    return this.renderers.has(id);
  }

  forget(id: number): void {
    this.renderers.delete(id);
  }

  /** The delivery edge: the registered renderer, else the host's `deliver` option. */
  deliverEdge(fallback: DeliverFn | undefined): DeliverFn {
    return (id, channel, payload) => {
      const renderer = this.renderers.get(id);
      if (renderer) return renderer.send(channel, payload);
      if (fallback) return fallback(id, channel, payload);
      throw new Error(`no renderer ${id} is attached (attachToWindow) and no deliver option was given`);
    };
  }

  /** URL and window of a renderer, for incidents detected away from Electron's events (heartbeats). */
  describe(id: number): { url?: string; windowId?: number } {
    try {
      return this.renderers.get(id)?.describe() ?? {};
    } catch (error) {
      this.reporter.fault('electron:describe', error);
      return {};
    }
  }
}
