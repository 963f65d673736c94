/** Re-packs a bundle keeping only the last `maxLines` log lines (what a 413 asks for). */
export type RepackBundle = (srcPath: string, destPath: string, options: { maxLines: number }) => Promise<unknown>;

/**
 * src/bundle's re-packer (a valid v1 bundle, manifest rewritten), imported on first use so the
 * uploader's import stays light.
 */
export const repackWithBundleBuilder: RepackBundle = async (srcPath, destPath, options) => {
  const { repackBundle } = await import('../bundle/repack.js');
  return repackBundle(srcPath, destPath, options);
};
