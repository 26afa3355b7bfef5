package typosquat

// FitLogistic fits an L2-regularised logistic regression to rows x with
// labels y (0 or 1), exactly as the name-confusion model is fitted
// (mean log-loss plus lambda/2·|w|², intercept unpenalised, L-BFGS). It
// returns the intercept followed by one weight per column. Other models
// of risk (the package-content model) are fitted with it.
func FitLogistic(x [][]float64, y []float64, lambda float64) ([]float64, error) {
	s := make([]sample, len(x))
	for i := range x {
		s[i] = sample{x: x[i], y: y[i]}
	}
	return fit(s, lambda)
}

// PlattScale fits sigmoid(a·z+b) to labels y, as the name-confusion
// model is calibrated.
func PlattScale(z, y []float64) (a, b float64, err error) {
	s := make([]sample, len(z))
	for i := range z {
		s[i] = sample{y: y[i]}
	}
	return platt(z, s)
}
