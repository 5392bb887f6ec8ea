"""Spanish (es-MX) replies of the offline model, from typed tool results (every number comes
from a tool). One module per area: common phrases, catalogue, orders and payments, support,
staff."""
