from fahuo.core.errors import Conflict, InvalidInput


class Intercepted(Conflict):
    """拦截: the order was closed or a refund was asked after its label was printed. Never ship it silently."""

    code = "intercepted"


class WrongItem(InvalidInput):
    code = "wrong_item"


class ExtraItem(InvalidInput):
    code = "extra_item"
