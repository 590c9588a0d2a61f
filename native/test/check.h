// Minimal test harness for the napi-free core: each test binary registers cases with TEST_CASE and
// uses CHECK/CHECK_EQ; main() runs them all and exits non-zero on the first failing case's end.
// Kept tiny on purpose: the core has no third-party dependencies, and the sanitizer build runs it.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

namespace cometmq_test {

struct Case {
  const char* name;
  std::function<void()> fn;
};

inline std::vector<Case>& Registry() {
  static std::vector<Case> cases;
  return cases;
}

inline int& Failures() {
  static int failures = 0;
  return failures;
}

struct Registrar {
  Registrar(const char* name, std::function<void()> fn) { Registry().push_back({name, std::move(fn)}); }
};

inline void Fail(const char* file, int line, const std::string& what) {
  std::fprintf(stderr, "%s:%d: CHECK failed: %s\n", file, line, what.c_str());
  ++Failures();
}

// A scratch directory under $TMPDIR, removed when the test ends.
std::string MakeTempDir(const char* tag);
void RemoveTree(const std::string& path);

}  // namespace cometmq_test

#define CMQ_CONCAT2(a, b) a##b
#define CMQ_CONCAT(a, b) CMQ_CONCAT2(a, b)

#define TEST_CASE(name)                                                                     \
  static void CMQ_CONCAT(test_fn_, __LINE__)();                                             \
  static ::cometmq_test::Registrar CMQ_CONCAT(test_reg_, __LINE__)(name, CMQ_CONCAT(test_fn_, __LINE__)); \
  static void CMQ_CONCAT(test_fn_, __LINE__)()

#define CHECK(cond)                                                      \
  do {                                                                   \
    if (!(cond)) ::cometmq_test::Fail(__FILE__, __LINE__, #cond);        \
  } while (0)

#define CHECK_EQ(a, b)                                                                        \
  do {                                                                                        \
    const auto& cmq_a = (a);                                                                  \
    const auto& cmq_b = (b);                                                                  \
    if (!(cmq_a == cmq_b)) {                                                                  \
      std::ostringstream cmq_os;                                                              \
      cmq_os << #a " == " #b " (" << cmq_a << " vs " << cmq_b << ")";                         \
      ::cometmq_test::Fail(__FILE__, __LINE__, cmq_os.str());                                 \
    }                                                                                         \
  } while (0)

// Fatal variant: stops the current case (it throws; test binaries are built with exceptions).
#define REQUIRE(cond)                                                    \
  do {                                                                   \
    if (!(cond)) {                                                       \
      ::cometmq_test::Fail(__FILE__, __LINE__, #cond);                   \
      throw std::runtime_error("REQUIRE failed");                        \
    }                                                                    \
  } while (0)
