// libFuzzer harness for the TFHE deserializers (scripts/fuzz-tfhe-deserialize.sh builds and
// runs it). Each input goes through every loader twice: as it is, and "resealed" with a
// correct fingerprint and checksum, since random mutations almost never keep the SHA-256 right
// and would otherwise never reach the payload checks. Loads must succeed or throw
// SerializationError; anything else (another exception, a sanitizer report) is a finding.
//
// Built without libFuzzer (-DCQ_FUZZ_STANDALONE_MAIN), main() replays the files and folders
// given as arguments, e.g. the committed corpus under g++ with ASan+UBSan.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "../../tfhe/serialization/envelope.h"
#include "../../tfhe/serialization/serialization.h"
#include "../../tfhe/serialization/sha256.h"

namespace {

using namespace cq::tfhe;

template <typename Load>
void expectCleanFailureOrSuccess(const Load& load) {
  try {
    load();
  } catch (const SerializationError&) {
    // The expected way to refuse an input.
  } catch (const std::exception& error) {
    std::fprintf(stderr, "unexpected exception: %s\n", error.what());
    std::abort();
  }
}

void loadEverything(const uint8_t* data, std::size_t size) {
  LoadOptions options;
  // Enough for the corpus's keys; keeps a valid-looking huge object from exhausting memory.
  options.maxBytes = std::size_t{64} << 20;
  expectCleanFailureOrSuccess([&] { readHeader(data, size); });
  expectCleanFailureOrSuccess([&] { deserializeCiphertexts(data, size, options); });
  expectCleanFailureOrSuccess([&] { deserializeClientKey(data, size, options); });
  expectCleanFailureOrSuccess([&] { deserializeEvaluationKeys(data, size, options); });
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  loadEverything(data, size);
  if (size >= kEnvelopeSize) {
    std::vector<uint8_t> resealed(data, data + size);
    const Sha256Digest fingerprint = sha256(resealed.data() + kHeaderSize, kParameterBlockSize);
    std::memcpy(resealed.data() + 48, fingerprint.data(), fingerprint.size());
    sealEnvelope(resealed.data(), resealed.size());
    loadEverything(resealed.data(), resealed.size());
  }
  return 0;
}

#ifdef CQ_FUZZ_STANDALONE_MAIN
#include <dirent.h>
#include <sys/stat.h>

#include <string>

namespace {

int replayPath(const std::string& path) {
  struct stat info;
  if (stat(path.c_str(), &info) != 0) return 0;
  if (S_ISDIR(info.st_mode)) {
    int count = 0;
    if (DIR* dir = opendir(path.c_str())) {
      while (const dirent* entry = readdir(dir)) {
        if (entry->d_name[0] != '.') count += replayPath(path + "/" + entry->d_name);
      }
      closedir(dir);
    }
    return count;
  }
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (!file) return 0;
  std::vector<uint8_t> bytes(static_cast<std::size_t>(info.st_size));
  const std::size_t read = bytes.empty() ? 0 : std::fread(bytes.data(), 1, bytes.size(), file);
  std::fclose(file);
  LLVMFuzzerTestOneInput(bytes.data(), read);
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  int count = 0;
  for (int i = 1; i < argc; ++i) count += replayPath(argv[i]);
  std::printf("replayed %d inputs without a crash\n", count);
  return 0;
}
#endif
