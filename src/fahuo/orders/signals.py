from django.dispatch import Signal

# sent inside the transaction when an order leaves the packing flow (cancelled, closed on the platform),
# with order=<Order>; fulfilment voids its parcels and takes it out of its wave.
order_withdrawn = Signal()
