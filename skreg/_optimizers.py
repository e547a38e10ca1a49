"""Stochastic optimizers that update parameters in place, then apply a prox.

The update rules and learning-rate schedules are scikit-learn's
(``sklearn.neural_network._stochastic_optimizers``), written here with in-place
operations on reusable buffers and in the same floating-point order, so that a
run matches scikit-learn's step for step. After each parameter's update the
optimizer calls that parameter group's proximal step with its own step size
(a float for SGD, one per coordinate for Adam), which is how the ``|W|`` part
of the penalty is applied; the smooth (squared) part is added to the
gradient first, so the optimizer's moments see the whole smooth objective.
"""

import math

import numpy as np

from skreg import _fused


class _BaseOptimizer:
    def __init__(self, params, learning_rate_init):
        self.learning_rate_init = learning_rate_init
        self.learning_rate = float(learning_rate_init)
        self._scratch = None
        self._views = {}

    def _buffers(self, param, count):
        """``count`` scratch arrays shaped like ``param``, shared by all groups."""
        # The views are kept: building them costs several microseconds a step.
        key = (param.shape, count, param.dtype)
        views = self._views.get(key) if self._scratch is not None else None
        if views is not None:
            return views
        size = param.size
        scratch = self._scratch
        if (
            scratch is None
            or scratch.shape[0] < count
            or scratch.shape[1] < size
            or scratch.dtype != param.dtype
        ):
            rows = max(count, 0 if scratch is None else scratch.shape[0])
            scratch = self._scratch = np.empty((rows, size), dtype=param.dtype)
            self._views = {}
        views = [scratch[i, :size].reshape(param.shape) for i in range(count)]
        self._views[key] = views
        return views

    def __getstate__(self):
        # Scratch space is rebuilt on demand; pickles and snapshots skip it.
        state = self.__dict__.copy()
        state["_scratch"] = None
        state["_views"] = {}
        return state

    def __setstate__(self, state):
        # Optimizers pickled before the views were kept lack the attribute.
        self.__dict__.update(state)
        self.__dict__.setdefault("_views", {})

    def __deepcopy__(self, memo):
        clone = self.__class__.__new__(self.__class__)
        for key, value in self.__getstate__().items():
            if isinstance(value, list):
                value = [v.copy() if isinstance(v, np.ndarray) else v for v in value]
            setattr(clone, key, value)
        return clone

    def iteration_ends(self, time_step):
        """Called at the end of each epoch with the number of samples seen."""

    def trigger_stopping(self, msg, verbose):
        """Whether to stop when the loss stalls (SGD 'adaptive' lowers the rate)."""
        if verbose:
            print(msg + " Stopping.")
        return True


class SGDOptimizer(_BaseOptimizer):
    """Stochastic gradient descent with momentum and learning-rate schedules."""

    def __init__(
        self,
        params,
        learning_rate_init=0.1,
        lr_schedule="constant",
        momentum=0.9,
        nesterov=True,
        power_t=0.5,
    ):
        super().__init__(params, learning_rate_init)
        self.lr_schedule = lr_schedule
        self.momentum = momentum
        self.nesterov = nesterov
        self.power_t = power_t
        self.velocities = [np.zeros_like(param) for param in params]

    def iteration_ends(self, time_step):
        if self.lr_schedule == "invscaling":
            self.learning_rate = (
                float(self.learning_rate_init) / (time_step + 1) ** self.power_t
            )

    def trigger_stopping(self, msg, verbose):
        if self.lr_schedule != "adaptive":
            return super().trigger_stopping(msg, verbose)
        if self.learning_rate <= 1e-6:
            if verbose:
                print(msg + " Learning rate too small. Stopping.")
            return True
        self.learning_rate /= 5.0
        if verbose:
            print(f"{msg} Setting learning rate to {self.learning_rate:f}")
        return False

    def step(self, params, grads, penalties):
        """Update ``params`` in place and apply each group's proximal step.

        ``grads`` are the data gradients, and scratch: each group's penalty
        adds the gradient of its smooth part to them in place before the update.
        """
        lr = self.learning_rate
        for param, grad, velocity, penalty in zip(
            params, grads, self.velocities, penalties
        ):
            (scratch,) = self._buffers(param, 1)
            if penalty is not None:
                penalty.add_smooth_gradient(param, grad, scratch=scratch)
            scaled_grad = np.multiply(grad, lr, out=scratch)
            # velocity <- momentum * velocity - lr * grad
            velocity *= self.momentum
            velocity -= scaled_grad
            if self.nesterov:
                # param += momentum * velocity - lr * grad, in one buffer.
                param -= scaled_grad
                param += np.multiply(velocity, self.momentum, out=scratch)
            else:
                param += velocity
            if penalty is not None and penalty.has_prox:
                penalty.prox(param, lr, scratch=scratch)


class AdamOptimizer(_BaseOptimizer):
    """Adam (Kingma and Ba, 2014), with a per-coordinate proximal step."""

    def __init__(
        self, params, learning_rate_init=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-8
    ):
        super().__init__(params, learning_rate_init)
        # Python floats: numpy computes float32 arrays with them in float32 (a
        # numpy float64 would make it compute in float64), as the kernel does.
        self.beta_1 = float(beta_1)
        self.beta_2 = float(beta_2)
        self.epsilon = float(epsilon)
        self.t = 0
        self.ms = [np.zeros_like(param) for param in params]
        self.vs = [np.zeros_like(param) for param in params]

    def step(self, params, grads, penalties):
        """Update ``params`` in place and apply each group's proximal step.

        ``grads`` are the data gradients, and scratch: their values after the
        step are unspecified. The update uses each group's gradient plus its
        penalty's smooth gradient; the numpy code adds the latter to ``grads``
        in place, the compiled kernel adds it as it goes and leaves them.
        """
        self.t += 1
        beta_1, beta_2 = self.beta_1, self.beta_2
        # A Python float, not numpy's float64: a float64 scalar would make every
        # operation on float32 arrays compute in float64 and cast back (5x
        # slower); a Python float takes the array's precision.
        # math.sqrt: the same double as np.sqrt, without a numpy scalar.
        self.learning_rate = (
            float(self.learning_rate_init)
            * math.sqrt(1 - beta_2**self.t)
            / (1 - beta_1**self.t)
        )
        lr = self.learning_rate
        for param, grad, m, v, penalty in zip(
            params, grads, self.ms, self.vs, penalties
        ):
            strengths = (
                (0.0, 0.0) if penalty is None else penalty.coordinate_strengths()
            )
            if strengths is not None and _fused.adam_step is not None:
                # The rest of this loop's body, an elementwise penalty's
                # gradient and prox included, in one compiled pass with the
                # same bits.
                hyper = (beta_1, beta_2, self.epsilon, lr, *strengths)
                _fused.adam_step(param, grad, m, v, *hyper)
                continue
            has_l1 = penalty is not None and penalty.has_prox
            # One scratch array; a second keeps the step sizes for the prox.
            buffers = self._buffers(param, 2 if has_l1 else 1)
            tmp, denom = buffers[0], buffers[-1]
            if penalty is not None:
                penalty.add_smooth_gradient(param, grad, scratch=tmp)
            m *= beta_1
            m += np.multiply(grad, 1 - beta_1, out=tmp)
            v *= beta_2
            np.multiply(grad, grad, out=tmp)
            tmp *= 1 - beta_2
            v += tmp
            np.sqrt(v, out=denom)
            denom += self.epsilon
            # param -= lr * m / (sqrt(v) + epsilon)
            np.divide(m, denom, out=tmp)
            tmp *= -lr
            param += tmp
            if has_l1:
                # The step Adam just took on each coordinate is lr / denom.
                np.divide(lr, denom, out=denom)
                penalty.prox(param, denom, scratch=tmp)


OPTIMIZERS = {"sgd": SGDOptimizer, "adam": AdamOptimizer}
