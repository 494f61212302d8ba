/* Order conditions of the Butcher tables: the rooted-tree conditions up to order q for b and up to
 * order p for the embedding d, to 1e-12 (the coefficients are given to ~16 digits and the
 * largest |a_ij| is ~13, so rounding leaves residuals near 1e-14); the next order must fail for
 * the embedding (it is a genuine order-p method). Also c_i = sum_j a_ij. */
#include "node-test.h"

#include <string.h>

#define S NODE_MAX_STAGES

/* v = A w (strictly lower triangular). */
static void matvec(const node_table *t, const double *w, double *v) {
  for (int i = 0; i < t->stages; i++) {
    v[i] = 0;
    for (int j = 0; j < i; j++) v[i] += t->A[i][j] * w[j];
  }
}

static double dot(const node_table *t, const double *b, const double *v) {
  double s = 0;
  for (int i = 0; i < t->stages; i++) s += b[i] * v[i];
  return s;
}

/* Residuals of the 17 conditions of orders 1..5 with weights w; order[k] is each one's order. */
static int conditions(const node_table *t, const double *w, double *res, int *order) {
  const double *c = t->c;
  double one[S], c2[S], c3[S], c4[S], Ac[S], Ac2[S], AAc[S], cAc[S], c2Ac[S], cAc2[S], cAAc[S],
      Ac_2[S], Ac3[S], AcAc[S], AAc2[S], AAAc[S];
  for (int i = 0; i < S; i++)
    one[i] = 1, c2[i] = c[i] * c[i], c3[i] = c2[i] * c[i], c4[i] = c3[i] * c[i];
  matvec(t, c, Ac), matvec(t, c2, Ac2), matvec(t, Ac, AAc), matvec(t, c3, Ac3);
  for (int i = 0; i < S; i++)
    cAc[i] = c[i] * Ac[i], c2Ac[i] = c2[i] * Ac[i], cAc2[i] = c[i] * Ac2[i],
    cAAc[i] = c[i] * AAc[i], Ac_2[i] = Ac[i] * Ac[i];
  matvec(t, cAc, AcAc), matvec(t, Ac2, AAc2), matvec(t, AAc, AAAc);
  const double *v[17] = {one,  c,    c2,   Ac,   c3,  cAc,  Ac2,  AAc, c4,
                         c2Ac, cAc2, cAAc, Ac_2, Ac3, AcAc, AAc2, AAAc};
  const double exact[17] = {1,       1. / 2,  1. / 3,  1. / 6,  1. / 4,  1. / 8,
                            1. / 12, 1. / 24, 1. / 5,  1. / 10, 1. / 15, 1. / 30,
                            1. / 20, 1. / 20, 1. / 40, 1. / 60, 1. / 120};
  const int ord[17] = {1, 2, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 5, 5, 5, 5, 5};
  for (int k = 0; k < 17; k++) res[k] = dot(t, w, v[k]) - exact[k], order[k] = ord[k];
  return 17;
}

static void check_table(int method, const char *name) {
  node_table t;
  double res[17], worst_next = 0;
  int order[17];
  if (node_table_get(method, &t)) {
    TEST_ASSERT(0, "%s: %s", name, solace_error_message());
    return;
  }
  for (int i = 0; i < t.stages; i++) {
    double row = 0;
    for (int j = 0; j < i; j++) row += t.A[i][j];
    TEST_NEAR(row, t.c[i], 1e-12);
  }
  int n = conditions(&t, t.b, res, order);
  for (int k = 0; k < n; k++)
    if (order[k] <= t.q)
      TEST_ASSERT(fabs(res[k]) <= 1e-12, "%s b: condition %d residual %.3g", name, k, res[k]);
  conditions(&t, t.d, res, order);
  for (int k = 0; k < n; k++) {
    if (order[k] <= t.p)
      TEST_ASSERT(fabs(res[k]) <= 1e-12, "%s d: condition %d residual %.3g", name, k, res[k]);
    else if (order[k] == t.p + 1)
      worst_next = fmax(worst_next, fabs(res[k]));
  }
  TEST_ASSERT(worst_next > 1e-6, "%s: the embedding satisfies order %d too (%.3g)", name, t.p + 1,
              worst_next);
  printf("%s: %d stages, order %d(%d), largest order-%d residual of d %.3g\n", name, t.stages, t.q,
         t.p, t.p + 1, worst_next);
}

int main(void) {
  check_table(SOLACE_NODE_TSIT5, "tsit5");
  check_table(SOLACE_NODE_DOPRI5, "dopri5");
  check_table(SOLACE_NODE_ARKODE4, "arkode4");
  node_table t;
  TEST_ASSERT(node_table_get(7, &t) == SOLACE_ERR_ARG, "unknown method accepted");
  return test_finish("node-order");
}
