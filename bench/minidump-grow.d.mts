export function withMemory64(dump: Uint8Array, regions: Uint8Array[], baseAddress?: bigint): Buffer;
