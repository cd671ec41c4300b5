/**
 * The WebAssembly kernel of k-means (kmeans-kernel.wat, compiled by scripts/build-wasm.mjs into
 * kmeans-kernel-bytes.ts): the module, compiled once per thread, and the layout of one
 * KMeansWorkspace in a WebAssembly memory.
 */
import { KERNEL_WASM_BASE64 } from './kmeans-kernel-bytes.ts';

export interface KernelExports {
  sqDist(a: number, b: number, d: number): number;
  sqDistBelow(a: number, b: number, d: number, limit: number): number;
  seedFirst(
    data: number,
    n: number,
    d: number,
    k: number,
    c: number,
    near: number,
    nearRoot: number,
    nearIdx: number,
    lower: number,
  ): void;
  seedScore(
    data: number,
    n: number,
    d: number,
    k: number,
    T: number,
    candIds: number,
    candDist: number,
    near: number,
    nearRoot: number,
    nearIdx: number,
    trial: number,
    trialLower: number,
    candPot: number,
  ): void;
}

let compiled: WebAssembly.Module | null = null;
/** The compiled module (synchronously: it is about a kilobyte). */
export function kernelModule(): WebAssembly.Module {
  if (!compiled) compiled = new WebAssembly.Module(Buffer.from(KERNEL_WASM_BASE64, 'base64'));
  return compiled;
}

export function instantiateKernel(memory: WebAssembly.Memory, module = kernelModule()): KernelExports {
  return new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as KernelExports;
}

const PAGE = 65536,
  MAX_PAGES = 65536;
/** Rounded up to a multiple of 16 bytes, so that every array starts aligned for SIMD loads. */
export const align16 = (bytes: number) => Math.ceil(bytes / 16) * 16;

/** A shared memory of at least `bytes` (fixed size: it never grows, so views on it stay valid). */
export function newKernelMemory(bytes: number): WebAssembly.Memory {
  const pages = Math.max(1, Math.ceil(bytes / PAGE));
  if (pages > MAX_PAGES)
    throw new Error(
      `This k-means problem needs ${(bytes / 2 ** 30).toFixed(1)} GB of working memory, more than the 4 GB WebAssembly allows.`,
    );
  return new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true });
}
