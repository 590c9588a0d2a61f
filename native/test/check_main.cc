#include <ftw.h>
#include <stdexcept>
#include <unistd.h>

#include "check.h"

namespace cometmq_test {

std::string MakeTempDir(const char* tag) {
  const char* base = std::getenv("TMPDIR");
  std::string templ = std::string(base && *base ? base : "/tmp") + "/cometmq-" + tag + "-XXXXXX";
  std::vector<char> buf(templ.begin(), templ.end());
  buf.push_back('\0');
  if (!mkdtemp(buf.data())) {
    std::perror("mkdtemp");
    std::abort();
  }
  return std::string(buf.data());
}

void RemoveTree(const std::string& path) {
  nftw(path.c_str(), [](const char* p, const struct stat*, int, struct FTW*) { return ::remove(p); }, 16,
       FTW_DEPTH | FTW_PHYS);
}

}  // namespace cometmq_test

int main() {
  int failed_cases = 0;
  for (const auto& c : cometmq_test::Registry()) {
    const int before = cometmq_test::Failures();
    try {
      c.fn();
    } catch (const std::exception& e) {
      std::fprintf(stderr, "%s: stopped: %s\n", c.name, e.what());
      if (cometmq_test::Failures() == before) ++cometmq_test::Failures();
    }
    const bool ok = cometmq_test::Failures() == before;
    std::printf("%s %s\n", ok ? "ok  " : "FAIL", c.name);
    if (!ok) ++failed_cases;
  }
  std::printf("%zu cases, %d failed\n", cometmq_test::Registry().size(), failed_cases);
  return failed_cases == 0 ? 0 : 1;
}
