#ifndef CLIBFUZZER_H
#define CLIBFUZZER_H

#include <stddef.h>
#include <stdint.h>

// libFuzzer's documented driver entry point (compiler-rt FuzzerInterface.h), linked in by `-sanitize=fuzzer`.
// SwiftPM gives every executable its own renamed `main`, which replaces libFuzzer's; calling the driver from
// there runs libFuzzer exactly as its own `main` would.
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*UserCb)(const uint8_t *Data, size_t Size));

#endif
