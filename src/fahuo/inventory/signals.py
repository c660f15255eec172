from django.dispatch import Signal

# sent after commit when stock became available (receive, positive adjust, stock-take up, release)
# with sku_ids=[...]; the orders app answers by re-allocating 缺货 orders.
stock_added = Signal()
