// The test runner: doctest's main plus a listener that fails the run when a test case leaves
// graph nodes alive — every test is also a leak test.
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include <xgrad/value.hpp>

#include <cstdio>

namespace {

bool node_leak_seen = false;

class LiveNodeListener : public doctest::IReporter {
 public:
  explicit LiveNodeListener(const doctest::ContextOptions&) {}

  void test_case_start(const doctest::TestCaseData& data) override {
    name_ = data.m_name;
    start_ = xgrad::live_nodes();
  }
  void test_case_end(const doctest::CurrentTestCaseStats&) override {
    const std::size_t now = xgrad::live_nodes();
    if (now != start_) {
      std::fprintf(stderr, "LEAK: test case \"%s\" changed the live graph-node count from %zu to %zu\n", name_, start_,
                   now);
      node_leak_seen = true;
    }
  }

  void report_query(const doctest::QueryData&) override {}
  void test_run_start() override {}
  void test_run_end(const doctest::TestRunStats&) override {}
  void test_case_reenter(const doctest::TestCaseData&) override {}
  void test_case_exception(const doctest::TestCaseException&) override {}
  void subcase_start(const doctest::SubcaseSignature&) override {}
  void subcase_end() override {}
  void log_assert(const doctest::AssertData&) override {}
  void log_message(const doctest::MessageData&) override {}
  void test_case_skipped(const doctest::TestCaseData&) override {}

 private:
  const char* name_ = "";
  std::size_t start_ = 0;
};

REGISTER_LISTENER("live_nodes", 1, LiveNodeListener);

}  // namespace

int main(int argc, char** argv) {
  doctest::Context context(argc, argv);
  const int failures = context.run();
  if (context.shouldExit()) {
    return failures;
  }
  return failures != 0 || node_leak_seen ? 1 : 0;
}
