import type { Page, PageQuery } from './paging.js';
import { DEFAULT_LIMIT } from './paging.js';

/** Anything the store keeps: it hands out the ids. */
export interface Identified {
  id: number;
}

/**
 * A bounded in-memory collection. Each service instance owns one, so tests get fresh
 * data; the bound keeps a public demo from being filled until it runs out of memory.
 */
export class MemoryStore<T extends Identified> {
  readonly #items = new Map<number, T>();
  readonly #maxSize: number;
  #nextId = 1;

  constructor(seed: readonly Omit<T, 'id'>[], maxSize: number) {
    if (seed.length > maxSize) {
      throw new RangeError(`seed has ${seed.length} items but the store holds at most ${maxSize}`);
    }
    this.#maxSize = maxSize;
    for (const item of seed) this.add(item);
  }

  get size(): number {
    return this.#items.size;
  }

  get maxSize(): number {
    return this.#maxSize;
  }

  /** True when `add` would refuse: callers check first and answer with their own error. */
  get full(): boolean {
    return this.#items.size >= this.#maxSize;
  }

  get(id: number): T | undefined {
    return this.#items.get(id);
  }

  find(predicate: (item: T) => boolean): T | undefined {
    for (const item of this.#items.values()) if (predicate(item)) return item;
    return undefined;
  }

  list(query: PageQuery): Page<T> {
    const limit = query.limit ?? DEFAULT_LIMIT;
    const offset = query.offset ?? 0;
    const all = [...this.#items.values()];
    return { items: all.slice(offset, offset + limit), total: all.length, limit, offset };
  }

  add(input: Omit<T, 'id'>): T {
    if (this.full) throw new RangeError(`store is full (${this.#maxSize} items)`);
    const item = { ...input, id: this.#nextId++ } as T;
    this.#items.set(item.id, item);
    return item;
  }
}
