// Test-only: a deliberate heap use-after-free. Under ASan this must abort; check_canary.py
// fails the suite if it does not, because then the sanitizers are not really on.
#include <cstdio>

int main() {
  int* volatile p = new int[4]{1, 2, 3, 4};
  delete[] p;
  std::printf("%d\n", p[2]);
  return 0;
}
