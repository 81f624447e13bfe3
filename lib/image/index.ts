// Public surface of lib/image: read container images, flatten them into a
// packed rootfs (PACKED-ROOTFS.md v1), and classify them.
export { unpackImage, type UnpackOptions, type UnpackResult, type UnpackProgress, type UnpackStage, type LayerReport } from "./unpack";
export {
  openPackedRootfs,
  writePackedRootfs,
  packEntries,
  packDirectory,
  treeFromEntries,
  type PackedRootfs,
  type PackedStat,
  type PackEntry,
  type PackStats,
  type PackDirectoryResult,
} from "./packed-rootfs";
export { FsTree, normalizeArchivePath, type ContentSource } from "./fs-tree";
export { classifyImage, resolveInRootfs, wasmKindOf, treeView, packedView, type Classification, type RootfsView, type WasmKind } from "./classify";
export { parseElf, type ElfInfo } from "./elf";
export { DEFAULT_LIMITS, type Limits, type SkippedEntry } from "./layer";
export type { ImageConfigSummary, PlatformInfo } from "./image-archive";
export type { ImageError, ImageErrorKind } from "./errors";
